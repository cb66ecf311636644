"""Batched INSERTs for bulk writes (the roster import's batched form of the write services): each column's
value goes through its type's bind processor once, and the rows go to the driver's executemany as tuples —
SQLAlchemy's per-row statement machinery costs more than the database for 100,000 rows."""
from app.extensions import db

BATCH = 5000


def insert_rows(table, rows):
    """INSERT plain dicts into `table` (Core Table) in the caller's transaction; the columns are those of the
    first row (every row must carry the same keys)."""
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    columns = [table.c[k] for k in keys]
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({', '.join(dialect.identifier_preparer.quote(k) for k in keys)}) "
           f"VALUES ({', '.join([marker] * len(keys))})")
    converters = [_memo(p) if p is not None else None for p in processors]
    pairs = list(zip(keys, converters))
    for start in range(0, len(rows), BATCH):
        params = [tuple(p(row[k]) if p is not None and row[k] is not None else row[k] for k, p in pairs)
                  for row in rows[start:start + BATCH]]
        connection.exec_driver_sql(sql, params)


def _memo(processor):
    """A bind processor that converts a repeated value (the batch's one timestamp) once."""
    last = [object(), None]

    def convert(value):
        if value is not last[0]:
            last[0], last[1] = value, processor(value)
        return last[1]

    return convert


def ids_by(table, key_columns, values, chunk=900):
    """{key value(s): id} of the rows whose first key column is in `values` (read back after insert_rows)."""
    connection = db.session.connection()
    first = table.c[key_columns[0]]
    out = {}
    values = list(values)
    for start in range(0, len(values), chunk):
        query = table.select().with_only_columns(table.c.id, *(table.c[k] for k in key_columns)).where(
            first.in_(values[start:start + chunk]))
        for pk, *key in connection.execute(query):
            out[key[0] if len(key) == 1 else tuple(key)] = pk
    return out
