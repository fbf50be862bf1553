"""Anonymous statistics for partners (`python -m bot stats`, the workspace's admin page).

`collect` reads the conversations (Rasa's SQL tracker store) and the referrals, keeping only
categories (month, département, scheme ids, goal, field of the shipped table); `report` counts
them and suppresses every cell under k people (k-anonymity, with secondary suppression);
`render` writes the CSV, the text and the accessible SVG charts.
"""
