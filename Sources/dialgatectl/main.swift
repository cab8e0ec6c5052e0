print("dialgatectl")
