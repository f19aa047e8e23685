module mmadapt.test/goprog

go 1.24
