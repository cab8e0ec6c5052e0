// ControlAPI module: see DESIGN.md §2.
