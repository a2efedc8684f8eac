using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using DockerHostTools.Core.DBus;

namespace DockerHostTools.Core.Native;

/// <summary>What kind of source a read went to.</summary>
public enum ReadKind
{
    /// <summary>A native program (iptables-save, firewall-cmd, systemctl...).</summary>
    Program,

    /// <summary>A D-Bus method call on the system bus.</summary>
    DBus,

    /// <summary>A request to the Docker Engine API.</summary>
    EngineApi,

    /// <summary>A file read or a folder listed.</summary>
    File,
}

/// <summary>One read: what was asked, how long it took, how it ended.</summary>
/// <param name="Kind">The kind of source.</param>
/// <param name="What">The program and its arguments, the D-Bus call, the API request or the file.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Outcome">How it ended (<c>exit 0</c>, <c>200</c>, a short error), or null.</param>
public sealed record ReadLogEntry(ReadKind Kind, string What, TimeSpan Duration, string? Outcome)
{
    /// <summary>One line for a person: <c>program iptables-save -t nat: 4.2 ms (exit 0)</c>.</summary>
    public override string ToString()
    {
        var kind = Kind switch
        {
            ReadKind.Program => "program",
            ReadKind.DBus => "D-Bus",
            ReadKind.EngineApi => "Engine API",
            _ => "file",
        };
        var ms = Duration.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
        return $"{kind} {What}: {ms} ms" + (Outcome is null ? string.Empty : $" ({Outcome})");
    }
}

/// <summary>
/// Where readers report what they read and how long it took. The core has no PowerShell: a cmdlet hands one in and
/// writes the entries as verbose records on its own thread (the reports may come from any thread).
/// </summary>
public interface IReadLog
{
    /// <summary>Records one read; must be safe to call from any thread.</summary>
    void Report(ReadLogEntry entry);
}

/// <summary>A thread-safe <see cref="IReadLog"/> that keeps entries until they are drained.</summary>
public sealed class ReadLog : IReadLog
{
    private readonly ConcurrentQueue<ReadLogEntry> _entries = new();

    /// <inheritdoc />
    public void Report(ReadLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _entries.Enqueue(entry);
    }

    /// <summary>The entries reported since the last drain, in the order they ended.</summary>
    public IReadOnlyList<ReadLogEntry> Drain()
    {
        var list = new List<ReadLogEntry>();
        while (_entries.TryDequeue(out var e))
        {
            list.Add(e);
        }

        return list;
    }

    /// <summary>Times <paramref name="work"/> and reports it, also when it throws (the exception's type is the outcome).</summary>
    public static async Task<T> TimeAsync<T>(IReadLog? log, ReadKind kind, string what, Func<Task<T>> work, Func<T, string?>? outcome = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (log is null)
        {
            return await work().ConfigureAwait(false);
        }

        var watch = Stopwatch.StartNew();
        try
        {
            var result = await work().ConfigureAwait(false);
            log.Report(new ReadLogEntry(kind, what, watch.Elapsed, outcome?.Invoke(result)));
            return result;
        }
        catch (Exception ex)
        {
            log.Report(new ReadLogEntry(kind, what, watch.Elapsed, Describe(ex)));
            throw;
        }
    }

    /// <summary>Times a synchronous read and reports it, also when it throws.</summary>
    public static T Time<T>(IReadLog? log, ReadKind kind, string what, Func<T> work, Func<T, string?>? outcome = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (log is null)
        {
            return work();
        }

        var watch = Stopwatch.StartNew();
        try
        {
            var result = work();
            log.Report(new ReadLogEntry(kind, what, watch.Elapsed, outcome?.Invoke(result)));
            return result;
        }
        catch (Exception ex)
        {
            log.Report(new ReadLogEntry(kind, what, watch.Elapsed, Describe(ex)));
            throw;
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        OperationCanceledException => "cancelled",
        FileNotFoundException or DirectoryNotFoundException => "not found",
        NativeProgramNotFoundException => "not installed",
        TimeoutException or NativeTimeoutException => "timed out",
        _ => "failed: " + ex.GetType().Name,
    };
}

/// <summary>A runner that reports every program it runs (and every D-Bus call of its bus) to a <see cref="IReadLog"/>.</summary>
public sealed class ObservedRunner : INativeRunner
{
    private readonly INativeRunner _inner;
    private readonly IReadLog _log;
    private readonly Lazy<ISystemBus?> _bus;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public ObservedRunner(INativeRunner inner, IReadLog log)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _bus = new Lazy<ISystemBus?>(() => _inner.SystemBus is { } b ? new ObservedSystemBus(b, _log) : null);
    }

    /// <inheritdoc />
    public ISystemBus? SystemBus => _bus.Value;

    /// <inheritdoc />
    public Task<NativeResult> RunAsync(NativeCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return ReadLog.TimeAsync(_log, ReadKind.Program, command.ToString(), () => _inner.RunAsync(command, cancellationToken),
            r => "exit " + r.ExitCode.ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public string? Resolve(string program) => _inner.Resolve(program);
}

/// <summary>A system bus that reports every call to a <see cref="IReadLog"/>.</summary>
public sealed class ObservedSystemBus : ISystemBus
{
    private readonly ISystemBus _inner;
    private readonly IReadLog _log;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public ObservedSystemBus(ISystemBus inner, IReadLog log)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<object?>> CallAsync(DBusCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return ReadLog.TimeAsync(_log, ReadKind.DBus, call.ToString(), () => _inner.CallAsync(call, cancellationToken));
    }
}

/// <summary>Host files whose reads (files read, folders listed) are reported to a <see cref="IReadLog"/>; writes pass through.</summary>
public sealed class ObservedFileSystem : IHostFileSystem
{
    private readonly IHostFileSystem _inner;
    private readonly IReadLog _log;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public ObservedFileSystem(IHostFileSystem inner, IReadLog log)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    /// <inheritdoc />
    public string Root => _inner.Root;

    /// <inheritdoc />
    public bool IsLive => _inner.IsLive;

    /// <inheritdoc />
    public string Map(string hostPath) => _inner.Map(hostPath);

    /// <inheritdoc />
    public string Resolve(string hostPath, bool followFinal = true) => _inner.Resolve(hostPath, followFinal);

    /// <inheritdoc />
    public bool FileExists(string hostPath) => _inner.FileExists(hostPath);

    /// <inheritdoc />
    public bool DirectoryExists(string hostPath) => _inner.DirectoryExists(hostPath);

    /// <inheritdoc />
    public HostFileType? TypeOf(string hostPath) => _inner.TypeOf(hostPath);

    /// <inheritdoc />
    public string ReadAllText(string hostPath) =>
        ReadLog.Time(_log, ReadKind.File, Shown(hostPath), () => _inner.ReadAllText(hostPath), Size);

    /// <inheritdoc />
    public string ReadAllText(string hostPath, int maxBytes, CancellationToken cancellationToken) =>
        ReadLog.Time(_log, ReadKind.File, Shown(hostPath), () => _inner.ReadAllText(hostPath, maxBytes, cancellationToken), Size);

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string hostDirectory) =>
        ReadLog.Time(_log, ReadKind.File, Shown(hostDirectory) + "/", () => _inner.ListFiles(hostDirectory),
            l => l.Count.ToString(CultureInfo.InvariantCulture) + " entries");

    /// <inheritdoc />
    public string? ReadLink(string hostPath) => _inner.ReadLink(hostPath);

    /// <inheritdoc />
    public void WriteAllTextAtomic(string hostPath, string content) => _inner.WriteAllTextAtomic(hostPath, content);

    /// <inheritdoc />
    public void WriteAllTextAtomic(string hostPath, string content, AtomicWriteOptions options) => _inner.WriteAllTextAtomic(hostPath, content, options);

    /// <inheritdoc />
    public void CopyFile(string hostSource, string hostDestination) => _inner.CopyFile(hostSource, hostDestination);

    private static string Size(string text) => text.Length.ToString(CultureInfo.InvariantCulture) + " chars";

    // Under a saved copy the path is shown as the copy's file, so a reader sees which tree was read.
    private string Shown(string hostPath) => _inner.IsLive ? hostPath : _inner.Root.TrimEnd('/') + hostPath;
}
