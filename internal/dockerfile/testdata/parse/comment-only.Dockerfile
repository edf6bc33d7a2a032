# Only comments here

# nothing else
