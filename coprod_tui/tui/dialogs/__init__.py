"""Modal dialogs: the one FormDialog (form.py) every form is built on, and the card, phase, timer, vote, export and
new-session dialogs.
"""
