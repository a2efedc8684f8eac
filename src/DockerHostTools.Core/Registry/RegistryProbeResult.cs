namespace DockerHostTools.Core.Registry;

/// <summary>How a registry probe ended. Each value points at a different cause.</summary>
public enum RegistryProbeOutcome
{
    /// <summary><c>GET /v2/</c> answered 200 with the Docker-Distribution-API-Version header (or, with TcpOnly, the TCP connection opened).</summary>
    Reachable,

    /// <summary><c>GET /v2/</c> answered 401 with the registry header: the registry is up and wants (other) credentials.</summary>
    AuthRequired,

    /// <summary>Something answered on the port, but not as a registry (no registry header, or not HTTP at all).</summary>
    NotARegistry,

    /// <summary>No answer within the timeout: packets dropped (DROP policy, forwarding off) or the host is down.</summary>
    Timeout,

    /// <summary>The connection was refused: the host is up but nothing listens on the port (or a reject with TCP reset or port-unreachable).</summary>
    Refused,

    /// <summary>No route to the host or network, or an ICMP host/admin-prohibited reject (a firewall such as firewalld).</summary>
    Unreachable,

    /// <summary>The name did not resolve.</summary>
    DnsFailure,

    /// <summary>The TLS handshake failed (for example an untrusted or mismatched certificate).</summary>
    TlsFailure,

    /// <summary>The registry answered with an unexpected status, or the HTTP exchange failed after connecting.</summary>
    HttpError,
}

/// <summary>The result of probing one registry endpoint.</summary>
public sealed class RegistryProbeResult
{
    internal RegistryProbeResult(RegistryEndpoint endpoint)
    {
        Endpoint = endpoint.Text;
        Host = endpoint.Host;
        Port = endpoint.Port;
    }

    /// <summary>The endpoint as given.</summary>
    public string Endpoint { get; }

    /// <summary>The host name or address of the endpoint.</summary>
    public string Host { get; }

    /// <summary>The address the host resolved to (the one probed), or null when it did not resolve.</summary>
    public string? Address { get; internal set; }

    /// <summary>The TCP port.</summary>
    public int Port { get; }

    /// <summary>The scheme of the last HTTP attempt (Https or Http); null when only TCP was probed or no HTTP attempt was made.</summary>
    public RegistryScheme? Scheme { get; internal set; }

    /// <summary>How the probe ended.</summary>
    public RegistryProbeOutcome Outcome { get; internal set; }

    /// <summary>True when the registry is usable from here: Reachable or AuthRequired.</summary>
    public bool Success => Outcome is RegistryProbeOutcome.Reachable or RegistryProbeOutcome.AuthRequired;

    /// <summary>True when a TCP connection opened.</summary>
    public bool TcpConnected { get; internal set; }

    /// <summary>How long the TCP connect took (null when it did not complete).</summary>
    public TimeSpan? ConnectTime { get; internal set; }

    /// <summary><see cref="ConnectTime"/> in milliseconds, for runbooks.</summary>
    public double? ConnectTimeMs => ConnectTime?.TotalMilliseconds;

    /// <summary>The HTTP status of <c>GET /v2/</c>, or null when no response came.</summary>
    public int? HttpStatus { get; internal set; }

    /// <summary>The Docker-Distribution-API-Version header (for example <c>registry/2.0</c>), or null when absent.</summary>
    public string? ApiVersion { get; internal set; }

    /// <summary>
    /// True when credentials were given but not sent, because the only answer came over plain HTTP that the user did not
    /// ask for (<c>-Scheme Auto</c> fell back to HTTP after HTTPS failed). An AuthRequired outcome then says nothing about
    /// whether the credentials are right.
    /// </summary>
    public bool CredentialsWithheld { get; internal set; }

    /// <summary>One sentence that says what happened and what it points at. Never contains credentials.</summary>
    public string Message { get; internal set; } = string.Empty;
}
