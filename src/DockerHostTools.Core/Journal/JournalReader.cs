using System.Globalization;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Journal;

/// <summary>Reads the systemd journal through <c>journalctl -o json</c>.</summary>
public sealed class JournalReader
{
    private readonly INativeRunner _runner;

    /// <summary>Creates the reader.</summary>
    public JournalReader(INativeRunner runner) => _runner = runner ?? throw new ArgumentNullException(nameof(runner));

    /// <summary>The entries logged between two times (all units); empty when there is no journal (no journalctl, no journald).</summary>
    public async Task<IReadOnlyList<JournalEntry>> ReadAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var cmd = new NativeCommand("journalctl", "-o", "json", "--no-pager", "-q", "--since", At(since), "--until", At(until))
        {
            Timeout = TimeSpan.FromSeconds(15),
        };
        NativeResult result;
        try
        {
            result = await _runner.RunAsync(cmd, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NativeProgramNotFoundException or NativeTimeoutException)
        {
            return []; // no journal, or a journal too slow to answer: the change is still reported, without a cause
        }

        return result.Succeeded ? JournalParser.Parse(result.StandardOutput) : [];
    }

    // journalctl takes "@<seconds since the epoch>" with a fraction.
    private static string At(DateTimeOffset t) =>
        "@" + (t.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
}
