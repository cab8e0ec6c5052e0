// Dialplan module: see DESIGN.md §2.
