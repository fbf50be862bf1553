"""The counsellors' workspace: quick analysis of a situation told in free French, the synthesis
handed to the person, accounts, cases and share codes (issue 9, contract §5)."""
