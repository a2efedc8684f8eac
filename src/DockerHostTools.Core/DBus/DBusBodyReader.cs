using Tmds.DBus.Protocol;

namespace DockerHostTools.Core.DBus;

/// <summary>
/// Reads a message body of any signature into the plain values <see cref="ISystemBus"/> promises, guided by the
/// signature (so no type of the D-Bus library leaves this folder).
/// </summary>
internal static class DBusBodyReader
{
    public static IReadOnlyList<object?> Read(Message message)
    {
        var signature = message.SignatureAsString ?? string.Empty;
        var reader = message.GetBodyReader();
        var values = new List<object?>();
        foreach (var type in SplitTypes(signature))
        {
            values.Add(ReadValue(ref reader, type));
        }

        return values;
    }

    /// <summary>The complete types of a signature, in order (<c>sa{sv}(ii)</c> gives <c>s</c>, <c>a{sv}</c>, <c>(ii)</c>).</summary>
    internal static IReadOnlyList<string> SplitTypes(string signature)
    {
        var types = new List<string>();
        var i = 0;
        while (i < signature.Length)
        {
            var start = i;
            i = EndOfType(signature, i);
            types.Add(signature[start..i]);
        }

        return types;
    }

    private static int EndOfType(string signature, int i)
    {
        switch (signature[i])
        {
            case 'a':
                return EndOfType(signature, i + 1);
            case '(':
            case '{':
                var close = signature[i] == '(' ? ')' : '}';
                i++;
                while (signature[i] != close)
                {
                    i = EndOfType(signature, i);
                }

                return i + 1;
            default:
                return i + 1;
        }
    }

    private static object? ReadValue(ref Reader reader, string type)
    {
        switch (type[0])
        {
            case 'y': return reader.ReadByte();
            case 'b': return reader.ReadBool();
            case 'n': return reader.ReadInt16();
            case 'q': return reader.ReadUInt16();
            case 'i': return reader.ReadInt32();
            case 'u': return reader.ReadUInt32();
            case 'x': return reader.ReadInt64();
            case 't': return reader.ReadUInt64();
            case 'd': return reader.ReadDouble();
            case 's': return reader.ReadString();
            case 'o': return reader.ReadObjectPathAsString();
            case 'g': return reader.ReadSignatureAsString();
            case 'h': return reader.ReadUInt32(); // the index of a passed descriptor; the read path passes none
            case 'v':
                var inner = reader.ReadSignatureAsString();
                return ReadValue(ref reader, inner);
            case '(':
                reader.AlignStruct();
                var fields = SplitTypes(type[1..^1]);
                var values = new object?[fields.Count];
                for (var f = 0; f < fields.Count; f++)
                {
                    values[f] = ReadValue(ref reader, fields[f]);
                }

                return values;
            case 'a' when type == "ay":
                return reader.ReadArrayOfByte();
            case 'a' when type[1] == '{':
                var entry = SplitTypes(type[2..^1]);
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                var dictEnd = reader.ReadDictionaryStart();
                while (reader.HasNext(dictEnd))
                {
                    reader.AlignStruct();
                    var key = ReadValue(ref reader, entry[0]);
                    dict[Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty] = ReadValue(ref reader, entry[1]);
                }

                return dict;
            case 'a':
                var element = type[1..];
                var list = new List<object?>();
                var end = reader.ReadArrayStart(TypeOf(element[0]));
                while (reader.HasNext(end))
                {
                    list.Add(ReadValue(ref reader, element));
                }

                return list.ToArray();
            default:
                throw new NotSupportedException($"D-Bus type '{type}' is not supported.");
        }
    }

    private static DBusType TypeOf(char code) => code switch
    {
        'y' => DBusType.Byte,
        'b' => DBusType.Bool,
        'n' => DBusType.Int16,
        'q' => DBusType.UInt16,
        'i' => DBusType.Int32,
        'u' => DBusType.UInt32,
        'x' => DBusType.Int64,
        't' => DBusType.UInt64,
        'd' => DBusType.Double,
        's' => DBusType.String,
        'o' => DBusType.ObjectPath,
        'g' => DBusType.Signature,
        'a' => DBusType.Array,
        '(' => DBusType.Struct,
        '{' => DBusType.DictEntry,
        'v' => DBusType.Variant,
        'h' => DBusType.UnixFd,
        _ => DBusType.Invalid,
    };
}
