"""The request handlers of the phone app, one module per thing a phone does; app.py routes to them."""
