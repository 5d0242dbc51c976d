"""The customer's rating page (服务评价), reached by the signed link or QR code the engineer shows."""
