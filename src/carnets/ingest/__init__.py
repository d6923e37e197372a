"""Growing an edition from notebook text: source documents, unknown names, `carnets ingest`.

`sources` cuts documents into texts (read by `carnets build` too), `candidates` proposes the
names the edition does not know, `run` adds a document to the edition. Nothing is imported
here, so that `carnets.build` can read sources without loading the ingest machinery.
"""
