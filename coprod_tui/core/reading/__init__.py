"""What every front end derives from a session, written once: the tally of the room, what a board cell shows, the
earlier session of a programme, the appraisal, "you said, we did", compare, replay and search. Screens and exports
call these, so the board, the phones and every report say the same thing.
"""
