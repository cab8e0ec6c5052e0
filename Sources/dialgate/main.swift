print("dialgate")
