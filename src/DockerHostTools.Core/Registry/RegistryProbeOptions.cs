using System.Net;

namespace DockerHostTools.Core.Registry;

/// <summary>How <see cref="RegistryProber"/> probes.</summary>
public sealed class RegistryProbeOptions
{
    /// <summary>The limit for each network step (name lookup, TCP connect, each HTTP attempt). Default 5 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many probes run at once. Default 64.</summary>
    public int ThrottleLimit { get; init; } = 64;

    /// <summary>The scheme used for endpoints that name none. Default Auto (HTTPS, then HTTP).</summary>
    public RegistryScheme Scheme { get; init; } = RegistryScheme.Auto;

    /// <summary>Only open the TCP connection; do not ask the registry API.</summary>
    public bool TcpOnly { get; init; }

    /// <summary>Accept any server certificate. Off by default: certificates are verified.</summary>
    public bool SkipCertificateCheck { get; init; }

    /// <summary>
    /// Send the credentials over plain HTTP even when the user did not ask for plain HTTP (an <c>Auto</c> fallback).
    /// Off by default: credentials go only over TLS (verified, or unverified with <see cref="SkipCertificateCheck"/>
    /// given explicitly) or over plain HTTP that was asked for (<c>-Scheme Http</c> or an <c>http://</c> endpoint),
    /// as docker sends them in plain text only to a registry configured as insecure.
    /// </summary>
    public bool AllowInsecureCredential { get; init; }

    /// <summary>Credentials for HTTP basic authentication, or null. Never written to any result or message.</summary>
    public NetworkCredential? Credential { get; init; }
}
