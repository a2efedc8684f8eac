using Tmds.DBus.Protocol;

namespace DockerHostTools.Core.DBus;

/// <summary>
/// The machine's D-Bus system bus, in process (Tmds.DBus.Protocol): one connection per process, opened at the first
/// call and kept, so a diagnosis asks firewalld and systemd in milliseconds instead of starting a <c>busctl</c> or
/// <c>systemctl</c> per question. The address is <c>DBUS_SYSTEM_BUS_ADDRESS</c>, else
/// <c>unix:path=/run/dbus/system_bus_socket</c> (what busctl and firewall-cmd use). Calls run concurrently over the
/// one connection. A broken connection is opened again at the next call.
/// </summary>
public sealed class SystemBusConnection : ISystemBus, ISystemBusSignals, IDisposable
{
    /// <summary>The system bus address when <c>DBUS_SYSTEM_BUS_ADDRESS</c> is not set.</summary>
    public const string DefaultAddress = "unix:path=/run/dbus/system_bus_socket";

    /// <summary>
    /// Set to <c>1</c>: the module does not talk to D-Bus in process and reads through busctl, systemctl and
    /// firewall-cmd as before (an escape hatch, and how the lab compares the roads).
    /// </summary>
    public const string DisableVariable = "DOCKERHOSTTOOLS_NO_DBUS";

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    // A connect that timed out is shared with the readers that queued behind it for this long after it ended; a later
    // read tries the bus again (a dbus-daemon that was stopped may have been continued).
    private const long HangShareMilliseconds = 1000;
    private (string Address, long At, string Message)? _lastHang;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string? _fixedAddress;
    private DBusConnection? _connection;
    private string? _connectedAddress;

    /// <summary>Creates a connection to <paramref name="address"/>, or to the system bus when null.</summary>
    public SystemBusConnection(string? address = null)
    {
        _fixedAddress = address;
    }

    /// <summary>The process's connection to the system bus, or null when <see cref="DisableVariable"/> is 1.</summary>
    public static SystemBusConnection? Shared =>
        Environment.GetEnvironmentVariable(DisableVariable) == "1" ? null : LazyShared.Value;

    private static readonly Lazy<SystemBusConnection> LazyShared = new(() => new SystemBusConnection());

    /// <summary>The address of the system bus: <c>DBUS_SYSTEM_BUS_ADDRESS</c>, else <see cref="DefaultAddress"/>.</summary>
    public static string SystemAddress =>
        Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } a ? a : DefaultAddress;

    /// <inheritdoc />
    public async Task<IReadOnlyList<object?>> CallAsync(DBusCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var reply = connection.CallMethodAsync(CreateMessage(connection, call), static (m, _) => DBusBodyReader.Read(m), null);
            return await reply.WaitAsync(call.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new DBusTimeoutException(call);
        }
        catch (DBusErrorReplyException ex)
        {
            throw new DBusCallFailedException(call, ex.ErrorName, ex.ErrorMessage);
        }
        catch (Exception ex) when (ex is DBusConnectionException or DBusConnectionClosedException or ObjectDisposedException)
        {
            Forget(connection);
            throw new DBusUnavailableException($"The D-Bus system bus connection broke during {call}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async Task<IDisposable> WatchSignalAsync(DBusSignalMatch match, Action<DBusSignal> onSignal, Action<Exception?> onEnd, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(onSignal);
        ArgumentNullException.ThrowIfNull(onEnd);
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rule = new MatchRule { Type = MessageType.Signal, Interface = match.Interface, Member = match.Member, Path = match.Path, Sender = match.Sender, Arg0 = match.Arg0 };
        var ended = 0;
        Task<IDisposable>? pending = null;
        try
        {
            var subscription = connection.AddMatchAsync(rule,
                static (m, _) => new DBusSignal(m.PathAsString ?? string.Empty, m.InterfaceAsString ?? string.Empty, m.MemberAsString ?? string.Empty, DBusBodyReader.Read(m)),
                n =>
                {
                    if (n.HasValue)
                    {
                        onSignal(n.Value);
                    }
                    else if (n.IsCompletion && Interlocked.Exchange(ref ended, 1) == 0)
                    {
                        onEnd(n.CompletionReason);
                    }
                },
                false, ObserverFlags.EmitOnConnectionClosed | ObserverFlags.EmitOnConnectionFailed | ObserverFlags.EmitOnReaderFailed, null);
            pending = subscription.AsTask();
            return await pending.WaitAsync(DBusCall.DefaultTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (pending is { IsCompleted: false } late && DisposeWhenDone(late))
        {
            throw; // not reached: DisposeWhenDone returns false (a timeout or Ctrl+C must not leave the match on the shared connection)
        }
        catch (TimeoutException ex)
        {
            throw new DBusUnavailableException($"The bus did not take the match rule {match} within {DBusCall.DefaultTimeout.TotalSeconds:0} s.", ex);
        }
        catch (DBusErrorReplyException ex)
        {
            throw new DBusUnavailableException($"The bus refused the match rule {match}: {ex.ErrorName}: {ex.ErrorMessage}", ex);
        }
        catch (Exception ex) when (ex is DBusConnectionException or DBusConnectionClosedException or ObjectDisposedException)
        {
            Forget(connection);
            throw new DBusUnavailableException($"The D-Bus system bus connection broke while adding {match}: {ex.Message}", ex);
        }
    }

    // A match added after its caller stopped waiting (a timeout, Ctrl+C) is removed once it is there; returns false so
    // that the exception goes on to its own handler.
    private static bool DisposeWhenDone(Task<IDisposable> late)
    {
        _ = late.ContinueWith(static t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                t.Result.Dispose();
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return false;
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
        _gate.Dispose();
    }

    private static MessageBuffer CreateMessage(DBusConnection connection, DBusCall call)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(call.Destination, call.Path, call.Interface, call.Member,
            call.Arguments.Count == 0 ? null : new string('s', call.Arguments.Count), MessageFlags.NoAutoStart);
        foreach (var argument in call.Arguments)
        {
            writer.WriteString(argument);
        }

        return writer.CreateMessage();
    }

    private async Task<DBusConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var address = _fixedAddress ?? SystemAddress;
        var current = Volatile.Read(ref _connection);
        if (current is not null && _connectedAddress == address)
        {
            return current;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is not null && _connectedAddress == address)
            {
                return _connection;
            }

            if (_lastHang is { } hang && hang.Address == address && Environment.TickCount64 - hang.At < HangShareMilliseconds)
            {
                // Another reader's connect to this bus timed out while this one waited at the gate: the same daemon
                // would keep this one waiting as long again (a diagnosis reads firewalld, its policies and systemd at once).
                throw new DBusUnavailableException(hang.Message) { BusNotResponding = true };
            }

            _connection?.Dispose();
            _connection = null;
            const string unixPath = "unix:path=";
            if (address.StartsWith(unixPath, StringComparison.Ordinal) && !address.Contains(';', StringComparison.Ordinal))
            {
                var socket = address[unixPath.Length..].Split(',')[0];
                if (!File.Exists(socket))
                {
                    // No daemon here (a container without D-Bus, or one that is stopped): say so at once.
                    throw new DBusUnavailableException($"There is no D-Bus system bus at {socket}.");
                }
            }

            var connection = new DBusConnection(address);
            try
            {
                await connection.ConnectAsync().AsTask().WaitAsync(ConnectTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                connection.Dispose();
                var message = $"The D-Bus system bus at {address} did not answer within {ConnectTimeout.TotalSeconds:0} s (dbus-daemon hung or stopped).";
                _lastHang = (address, Environment.TickCount64, message);
                throw new DBusUnavailableException(message, ex) { BusNotResponding = true };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                connection.Dispose();
                throw new DBusUnavailableException($"Could not connect to the D-Bus system bus at {address}: {ex.Message}", ex);
            }
            catch (OperationCanceledException)
            {
                connection.Dispose();
                throw;
            }

            _connectedAddress = address;
            Volatile.Write(ref _connection, connection);
            _ = connection.DisconnectedAsync().ContinueWith(_ => Forget(connection), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Forget(DBusConnection connection)
    {
        if (Interlocked.CompareExchange(ref _connection, null, connection) == connection)
        {
            connection.Dispose();
        }
    }
}
