"""Referrals (issue 10): with the person's consent, a structure is asked to call them back.

- `contact`: phone (French formats) and e-mail validation;
- `channels`: which structures can receive referrals (REFERRAL_STRUCTURES_FILE);
- `hours`: whether a structure is open now (OpenStreetMap opening hours of the directory);
- `mail`: the e-mail to the structure (SMTP_* settings);
- `service`: create, read, cancel, change status, erase, purge (table counsel_referral);
- `structures`: the structures near the person that the conversation can offer.
"""
