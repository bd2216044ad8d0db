module backchannel

go 1.26
