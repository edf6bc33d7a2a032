module example.com/ddlab/lab8/api

go 1.22

require example.com/greet v1.2.0
