"""The trash: deleting a subtree, listing, restoring and purging it, and retention."""
