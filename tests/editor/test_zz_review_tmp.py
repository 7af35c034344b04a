import io
def test_surrogate_key(sqlite_app, editor_client):
    token = editor_client.csrf
    files = [(io.BytesIO(b'{"\\ud800": 1}'), "a.json")]
    r = editor_client.post("/redaktion/neuer-artikel/hochladen", data={"files": files, "csrf_token": token}, content_type="multipart/form-data")
    print("STATUS", r.status_code)
