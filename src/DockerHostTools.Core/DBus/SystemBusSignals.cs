namespace DockerHostTools.Core.DBus;

/// <summary>
/// Signals of the system bus, received over the same in-process connection as <see cref="ISystemBus"/>'s calls (a
/// watch is told of a change instead of asking again and again). Implemented by <see cref="SystemBusConnection"/>.
/// </summary>
public interface ISystemBusSignals
{
    /// <summary>
    /// Adds a match rule on the bus and calls <paramref name="onSignal"/> for every signal it matches, until the returned
    /// handle is disposed. <paramref name="onEnd"/> is called once when the connection closes or fails (the
    /// subscription is then gone: subscribe again on a new connection).
    /// </summary>
    /// <exception cref="DBusUnavailableException">There is no system bus to connect to.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    Task<IDisposable> WatchSignalAsync(DBusSignalMatch match, Action<DBusSignal> onSignal, Action<Exception?> onEnd, CancellationToken cancellationToken = default);
}

/// <summary>
/// Which signals to receive. The sender is left out where the service sends from its unique name: the bus resolves a
/// well-known sender, but a match by path, interface and member is enough and survives the service's restart.
/// </summary>
/// <param name="Interface">The signal's interface.</param>
/// <param name="Member">The signal's name, or null for any signal of the interface.</param>
/// <param name="Path">The object path, or null for any.</param>
/// <param name="Sender">The sender, or null for any.</param>
/// <param name="Arg0">The first argument (a string), or null for any.</param>
public sealed record DBusSignalMatch(string Interface, string? Member, string? Path = null, string? Sender = null, string? Arg0 = null)
{
    /// <summary>The rule as the bus takes it (for messages only).</summary>
    public override string ToString() =>
        string.Join(',', new[] { "type='signal'", Sender is null ? null : $"sender='{Sender}'", $"interface='{Interface}'", Member is null ? null : $"member='{Member}'",
            Path is null ? null : $"path='{Path}'", Arg0 is null ? null : $"arg0='{Arg0}'" }.Where(s => s is not null));
}

/// <summary>One received signal; its arguments are plain values as <see cref="ISystemBus"/> replies are.</summary>
/// <param name="Path">The object path it came from.</param>
/// <param name="Interface">Its interface.</param>
/// <param name="Member">Its name.</param>
/// <param name="Arguments">Its arguments.</param>
public sealed record DBusSignal(string Path, string Interface, string Member, IReadOnlyList<object?> Arguments);
