import pytest

from zhizao.errors import InvalidValue
from zhizao.identifiers.admin import AdminPerm, perms_from_json, perms_to_string
from zhizao.identifiers.values import Permissions, value_from_json, value_to_json


def test_bare_primitive_data_is_a_string_like_javas_getasstring():
    v = value_from_json({"index": 2, "type": "CHECKSUM", "data": False})
    assert v.data.format == "string" and v.data.value == "false"
    assert value_from_json({"index": 1, "type": "N", "data": 5}).data.value == "5"


def test_pyhandle_admin_value_with_string_index():
    v = value_from_json(
        {
            "index": 100,
            "type": "HS_ADMIN",
            "data": {
                "format": "admin",
                "value": {
                    "index": "200",
                    "handle": "0.NA/88.118.8160",
                    "permissions": "011111110011",
                },
            },
        }
    )
    assert v.admin.admin.index == 200
    assert value_to_json(v)["data"] == {
        "format": "admin",
        "value": {"handle": "0.NA/88.118.8160", "index": 200, "permissions": "011111110011"},
    }


def test_permission_bit_order_is_handle_net_s():
    perms = perms_from_json("011111110011", "p")
    assert AdminPerm.ADD_HANDLE in perms and AdminPerm.DELETE_HANDLE in perms
    assert AdminPerm.ADD_DERIVED_PREFIX not in perms
    assert AdminPerm.DELETE_DERIVED_PREFIX not in perms
    assert AdminPerm.READ_VALUE in perms and AdminPerm.LIST_HANDLES not in perms
    assert perms_to_string(perms_from_json("*", "p")) == "111111111111"
    assert perms_from_json(True, "p") == perms_from_json(0xFFF, "p")
    assert perms_to_string(perms_from_json([1] + [0] * 11, "p")) == "100000000000"


def test_binary_and_textual_encodings():
    text = value_from_json({"index": 3, "type": "T", "data": {"format": "hex", "value": "6869"}})
    assert (text.data.format, text.data.value) == ("string", "hi")
    binary = value_from_json(
        {"index": 3, "type": "T", "data": {"format": "base64", "value": "AAEC"}}
    )
    assert (binary.data.format, binary.data.value) == ("base64", "AAEC")


def test_value_permissions_default_and_secret():
    v = value_from_json({"index": 1, "type": "URL", "data": "x"})
    assert v.permissions == Permissions() and "permissions" not in value_to_json(v)
    s = value_from_json({"index": 300, "type": "HS_SECKEY", "data": "pw"})
    assert not s.permissions.public_read
    p = value_from_json({"index": 1, "type": "URL", "data": "x", "permissions": "10"})
    assert value_to_json(p)["permissions"] == "0010"


@pytest.mark.parametrize(
    "raw, field",
    [
        ({"type": "URL", "data": "x"}, "values[4].index"),
        ({"index": "one", "type": "URL", "data": "x"}, "values[4].index"),
        ({"index": 0, "type": "URL", "data": "x"}, "values[4].index"),
        ({"index": 1, "data": "x"}, "values[4].type"),
        ({"index": 1, "type": "URL"}, "values[4].data"),
        (
            {"index": 1, "type": "URL", "data": {"format": "weird", "value": "x"}},
            "values[4].data.format",
        ),
        (
            {"index": 1, "type": "URL", "data": {"format": "base64", "value": "!!"}},
            "values[4].data.value",
        ),
        ({"index": 1, "type": "URL", "data": "x", "permissions": "12"}, "values[4].permissions"),
        ({"index": 1, "type": "URL", "data": "x", "ttl": "tomorrow"}, "values[4].ttl"),
        ({"index": 100, "type": "HS_ADMIN", "data": "x"}, "values[4].data"),
        (
            {
                "index": 100,
                "type": "HS_ADMIN",
                "data": {
                    "format": "admin",
                    "value": {"handle": "0.NA/88", "index": 200, "permissions": "2"},
                },
            },
            "values[4].data.value.permissions",
        ),
    ],
)
def test_bad_values_name_their_field(raw, field):
    with pytest.raises(InvalidValue) as err:
        value_from_json(raw, "values[4]")
    assert err.value.field == field
    assert field in err.value.message
