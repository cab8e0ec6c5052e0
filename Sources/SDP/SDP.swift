// SDP module: see DESIGN.md §2.
