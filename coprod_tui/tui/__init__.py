"""The facilitator's terminal: the Textual app (app.py) and its screens, by what they are for: the live board
(board/), the co-production method (method/), looking back (review/) and the modal dialogs (dialogs/). Screens
read the hub and send it commands; they never import the phone server.
"""
