"""Views shared by the service dialogs and notices: ticket cards, lines, explanations, the rating QR code."""
