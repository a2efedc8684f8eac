namespace DockerHostTools.Core.DBus;

/// <summary>
/// The seam to the D-Bus system bus: one method call, its reply as plain values. Every call carries the
/// NO_AUTO_START flag (reading never starts a stopped service through D-Bus activation), a timeout and the caller's
/// cancellation, as native calls do. Reply values are plain .NET values so nothing of the D-Bus library leaks: strings
/// (also object paths and signatures), <see cref="bool"/>, the integer types of their D-Bus type, <see cref="double"/>,
/// <c>byte[]</c> (<c>ay</c>), <see cref="IReadOnlyDictionary{TKey, TValue}"/> of string keys (<c>a{..}</c>),
/// <c>object?[]</c> (other arrays and structs); variants are unwrapped.
/// </summary>
public interface ISystemBus
{
    /// <summary>Calls a method and returns the reply's arguments.</summary>
    /// <exception cref="DBusUnavailableException">There is no system bus to connect to (or the connection broke).</exception>
    /// <exception cref="DBusCallFailedException">The bus or the service answered with an error (the service is not on the bus, unknown method...).</exception>
    /// <exception cref="DBusTimeoutException">No answer within <see cref="DBusCall.Timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled (Ctrl+C).</exception>
    Task<IReadOnlyList<object?>> CallAsync(DBusCall call, CancellationToken cancellationToken = default);
}

/// <summary>One D-Bus method call; its arguments are strings (all the read path needs).</summary>
public sealed class DBusCall
{
    /// <summary>How long a call may take by default (as busctl's calls had).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Creates a call; <paramref name="arguments"/> are written as D-Bus strings.</summary>
    public DBusCall(string destination, string path, string @interface, string member, params string[] arguments)
    {
        Destination = destination;
        Path = path;
        Interface = @interface;
        Member = member;
        Arguments = arguments ?? [];
    }

    /// <summary>A <c>org.freedesktop.DBus.Properties.Get</c> call.</summary>
    public static DBusCall GetProperty(string destination, string path, string @interface, string property) =>
        new(destination, path, PropertiesInterface, "Get", @interface, property);

    /// <summary>A <c>org.freedesktop.DBus.Properties.GetAll</c> call.</summary>
    public static DBusCall GetAllProperties(string destination, string path, string @interface) =>
        new(destination, path, PropertiesInterface, "GetAll", @interface);

    /// <summary>The standard properties interface.</summary>
    public const string PropertiesInterface = "org.freedesktop.DBus.Properties";

    /// <summary>The bus name of the service.</summary>
    public string Destination { get; }

    /// <summary>The object path.</summary>
    public string Path { get; }

    /// <summary>The interface.</summary>
    public string Interface { get; }

    /// <summary>The method.</summary>
    public string Member { get; }

    /// <summary>The string arguments.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>How long the call may take.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>The call as busctl would take it (for messages only).</summary>
    public override string ToString() =>
        $"{Destination} {Path} {Interface}.{Member}" + (Arguments.Count == 0 ? string.Empty : " " + string.Join(' ', Arguments.Select(a => "\"" + a + "\"")));
}

/// <summary>There is no system bus to talk to: no socket, the connection was refused or broke.</summary>
public sealed class DBusUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DBusUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>
    /// The bus's socket is there but the daemon behind it did not answer (the connection's handshake timed out): a
    /// hung or stopped dbus-daemon. busctl and firewall-cmd would wait on the same process, so readers do not try them.
    /// </summary>
    public bool BusNotResponding { get; init; }
}

/// <summary>A D-Bus call was answered with an error (for example <c>org.freedesktop.DBus.Error.ServiceUnknown</c>).</summary>
public sealed class DBusCallFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DBusCallFailedException(DBusCall call, string errorName, string? errorMessage)
        : base($"D-Bus call {call} failed: {errorName}: {errorMessage}")
    {
        Call = call;
        ErrorName = errorName;
    }

    /// <summary>The call.</summary>
    public DBusCall Call { get; }

    /// <summary>The D-Bus error name.</summary>
    public string ErrorName { get; }
}

/// <summary>A D-Bus call got no answer within its timeout (a hung service, usually).</summary>
public sealed class DBusTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public DBusTimeoutException(DBusCall call)
        : base($"D-Bus call {call} got no answer within {call.Timeout.TotalSeconds:0.#} s. The service may be hung.")
    {
        Call = call;
    }

    /// <summary>The call.</summary>
    public DBusCall Call { get; }
}
