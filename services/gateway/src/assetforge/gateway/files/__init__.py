"""Files over HTTP: uploads streamed into the blob store, downloads streamed out of it
(conditional and ranged), the names a URL may reach, and who may read an asset's files."""
