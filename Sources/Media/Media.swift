// Media module: see DESIGN.md §2.
