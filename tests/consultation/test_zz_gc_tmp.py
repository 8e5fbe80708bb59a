import gc


def test_collect(app):
    gc.collect()
