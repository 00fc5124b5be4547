"""Everything that touches a file, a database, a process or a socket: spreadsheets and returns, the archive,
the history store, the Great Expectations runner, outputs, rendering, charts, mail and distribution."""
