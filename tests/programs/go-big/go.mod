module mmadapt.test/gobig

go 1.22
