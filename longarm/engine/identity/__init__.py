"""Identity resolution (issue 6): find official records that are the same person, and explain why.

`features` derives comparable columns from a record frame, `comparisons` turns
pairs of records into levels of agreement per field, `chinese` knows native
names, romanisations and identity numbers; blocking, the Fellegi-Sunter model
and the pipeline that ties them together sit beside them. Pure columnar code:
no Django here.
"""
