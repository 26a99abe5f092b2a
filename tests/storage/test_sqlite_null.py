"""None is bound as NULL (zhizao registers a fast adapter for it on Python 3.11)."""

from zhizao.storage.sqlite import SqliteStore


def test_none_is_stored_as_null(tmp_path):
    store = SqliteStore(tmp_path / "z.db")
    try:
        with store.transaction() as conn:
            conn.execute(
                "INSERT INTO epcis_ids VALUES (?, ?, ?, ?, ?)", (1, "epc", "x", None, None)
            )
        row = (
            store.reader()
            .execute("SELECT quantity IS NULL, uom IS NULL, typeof(quantity) FROM epcis_ids")
            .fetchone()
        )
        assert row == (1, 1, "null")
    finally:
        store.close()
