"""The live board: the screen (screen.py), the controls it owns (cards, views, phones, room, votes, method, review),
its widgets (card_list, detail, phase_bar, balance_bar, saving) and the QR screen.
"""
