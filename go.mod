module github.com/stride-robotics/stride

go 1.26
