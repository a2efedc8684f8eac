using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DockerHostTools.Core.Journal;

/// <summary>One journal entry, the fields the module uses.</summary>
public sealed class JournalEntry
{
    /// <summary>Creates an entry.</summary>
    public JournalEntry(DateTimeOffset timestamp, string? unit, string? systemdUnit, string? identifier, string message, string? jobType, string? commandLine)
    {
        Timestamp = timestamp;
        Unit = unit;
        SystemdUnit = systemdUnit;
        Identifier = identifier;
        Message = message;
        JobType = jobType;
        CommandLine = commandLine;
    }

    /// <summary>When it was logged (<c>__REALTIME_TIMESTAMP</c>).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The unit a systemd message is about (<c>UNIT</c>), for example <c>firewalld.service</c>.</summary>
    public string? Unit { get; }

    /// <summary>The unit of the process that logged it (<c>_SYSTEMD_UNIT</c>).</summary>
    public string? SystemdUnit { get; }

    /// <summary><c>SYSLOG_IDENTIFIER</c>, for example <c>systemd</c>, <c>sysctl</c>, <c>dockerd</c>.</summary>
    public string? Identifier { get; }

    /// <summary>The message.</summary>
    public string Message { get; }

    /// <summary>The job type of a unit job message (<c>start</c>, <c>stop</c>, <c>restart</c>, <c>reload</c>).</summary>
    public string? JobType { get; }

    /// <summary>The command line of the process that logged it (<c>_CMDLINE</c>).</summary>
    public string? CommandLine { get; }

    /// <summary>The unit this entry speaks of: <c>UNIT</c> for systemd's own messages, else the logging process's unit.</summary>
    public string? SubjectUnit => Unit ?? SystemdUnit;

    /// <inheritdoc />
    public override string ToString() => $"{Timestamp:HH:mm:ss.fff} {Identifier}: {Message}";
}

/// <summary>Parses <c>journalctl -o json</c> output: one JSON object a line.</summary>
public static class JournalParser
{
    private static readonly long MinUnixMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxUnixMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() - 1;

    /// <summary>Parses the lines; a line that is not a JSON object is skipped.</summary>
    public static IReadOnlyList<JournalEntry> Parse(string jsonLines)
    {
        ArgumentNullException.ThrowIfNull(jsonLines);
        var list = new List<JournalEntry>();
        foreach (var line in jsonLines.Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart()[0] != '{')
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                var e = doc.RootElement;
                // A timestamp outside DateTimeOffset's range (years 1 to 9999) is no timestamp: the line is skipped like
                // any line without one (found by build.ps1 Fuzz, target journal: ArgumentOutOfRangeException before).
                if (!long.TryParse(Field(e, "__REALTIME_TIMESTAMP"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var usec)
                    || usec / 1000 < MinUnixMilliseconds || usec / 1000 > MaxUnixMilliseconds)
                {
                    continue;
                }

                list.Add(new JournalEntry(
                    DateTimeOffset.FromUnixTimeMilliseconds(usec / 1000).AddTicks(usec % 1000 * 10),
                    Field(e, "UNIT"), Field(e, "_SYSTEMD_UNIT"), Field(e, "SYSLOG_IDENTIFIER"), Field(e, "MESSAGE") ?? string.Empty,
                    Field(e, "JOB_TYPE"), Field(e, "_CMDLINE")));
            }
            catch (JsonException)
            {
                // journalctl prints one object a line; a torn last line (the journal was being written) is skipped.
            }
        }

        return list;
    }

    // journalctl prints a field as a string, as an array of bytes when it is not valid UTF-8, and as an array of
    // those when a field occurs more than once in an entry; the first value is taken.
    private static string? Field(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v))
        {
            return null;
        }

        switch (v.ValueKind)
        {
            case JsonValueKind.String:
                return v.GetString();
            case JsonValueKind.Array when v.GetArrayLength() > 0 && v[0].ValueKind == JsonValueKind.Number:
                var bytes = v.EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray();
                return Encoding.UTF8.GetString(bytes);
            case JsonValueKind.Array when v.GetArrayLength() > 0:
                return v[0].ValueKind == JsonValueKind.String ? v[0].GetString() : v[0].ToString();
            default:
                return null;
        }
    }
}
