// Calls module: see DESIGN.md §2.
