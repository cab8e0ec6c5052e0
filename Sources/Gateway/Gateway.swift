// Gateway module: see DESIGN.md §2.
