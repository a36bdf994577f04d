Proof of Space Plot notes
A plot file is large; the header holds the plot id, the k size and a memo.
These notes only describe the format and contain no plot.
