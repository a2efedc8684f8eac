using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Firewalld;

/// <summary>Which input was wrong.</summary>
public enum FirewalldInputError
{
    /// <summary>Port 0, above 65535, a reversed range or not a number.</summary>
    InvalidPort,

    /// <summary>Not tcp, udp, sctp or dccp.</summary>
    InvalidProtocol,

    /// <summary>A zone that does not exist (firewalld's INVALID_ZONE).</summary>
    InvalidZone,

    /// <summary>A port that names one protocol (<c>5000/tcp</c>) given with another (<c>-Protocol udp</c>).</summary>
    ConflictingProtocol,
}

/// <summary>Input firewalld would refuse, caught before anything is changed.</summary>
public sealed class FirewalldInputException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public FirewalldInputException(FirewalldInputError error, string value, string message)
        : base(message)
    {
        Error = error;
        Value = value;
    }

    /// <summary>What was wrong.</summary>
    public FirewalldInputError Error { get; }

    /// <summary>The value given.</summary>
    public string Value { get; }
}

/// <summary>firewalld is not running (or not reachable) and the request needs it.</summary>
public sealed class FirewalldNotRunningException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public FirewalldNotRunningException(FirewalldRunState state, string message)
        : base(message)
    {
        State = state;
    }

    /// <summary>The state firewalld was found in.</summary>
    public FirewalldRunState State { get; }
}

/// <summary>firewall-cmd refused a request with an error code (<c>Error: INVALID_ZONE: x</c>).</summary>
public sealed class FirewallCmdException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FirewallCmdException(NativeResult result)
        : base($"'{result?.Command}' failed with exit code {result?.ExitCode}: {result?.FailureText}")
    {
        ArgumentNullException.ThrowIfNull(result);
        Result = result;
        Code = FirewallCmdParser.ParseErrorCode(result.StandardError) ?? FirewallCmdParser.ParseErrorCode(result.StandardOutput);
    }

    /// <summary>firewalld's error code (<c>INVALID_ZONE</c>, <c>NOT_AUTHORIZED</c>...), or null when it printed none.</summary>
    public string? Code { get; }

    /// <summary>The failed call.</summary>
    public NativeResult Result { get; }
}
