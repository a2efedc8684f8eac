using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DockerHostTools.Core.Registry;

/// <summary>The scheme a probe speaks to a registry.</summary>
public enum RegistryScheme
{
    /// <summary>HTTPS first, then plain HTTP when the server does not speak TLS (what <c>docker pull</c> does for an insecure registry).</summary>
    Auto,

    /// <summary>HTTPS only.</summary>
    Https,

    /// <summary>Plain HTTP only.</summary>
    Http,
}

/// <summary>
/// One registry endpoint as a user writes it: <c>host</c>, <c>host:port</c>, <c>[v6addr]:port</c>, a bare IPv6 address,
/// <c>http://host:port</c> or <c>https://host:port</c>. The port defaults to 5000 (the registry's own port) in every form.
/// </summary>
public sealed class RegistryEndpoint
{
    /// <summary>The port used when the text names none.</summary>
    public const int DefaultPort = 5000;

    /// <summary>The longest DNS name (RFC 1035: 253 characters written out).</summary>
    public const int MaxHostLength = 253;

    private RegistryEndpoint(string text, string host, int port, RegistryScheme? scheme)
    {
        Text = text;
        Host = host;
        Port = port;
        Scheme = scheme;
    }

    /// <summary>The text as given (trimmed).</summary>
    public string Text { get; }

    /// <summary>The host name or address literal, without brackets.</summary>
    public string Host { get; }

    /// <summary>The TCP port.</summary>
    public int Port { get; }

    /// <summary>The scheme the text names (<c>http://</c> or <c>https://</c>), or null when it names none.</summary>
    public RegistryScheme? Scheme { get; }

    /// <summary>The host as an address when it is an address literal, otherwise null.</summary>
    public IPAddress? Address => IPAddress.TryParse(Host, out var a) ? a : null;

    /// <summary><c>host:port</c>, with brackets around an IPv6 address.</summary>
    public string Authority => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>Makes an endpoint from a host and a port (the by-property-name form: ComputerName + Port).</summary>
    /// <exception cref="ArgumentException">The host is empty or not a host name or address, or the port is out of range.</exception>
    public static RegistryEndpoint FromHostAndPort(string? host, int port)
    {
        var h = (host ?? string.Empty).Trim();
        if (h.Length > 2 && h[0] == '[' && h[^1] == ']')
        {
            h = h[1..^1];
        }

        var error = CheckHost(h) ?? CheckPort(port);
        if (error is not null)
        {
            throw new ArgumentException($"'{Redact(host)}' port {port}: {(h.Contains('@', StringComparison.Ordinal) ? "user information is not allowed in the host; use -Credential." : error)}", nameof(host));
        }

        var text = h.Contains(':', StringComparison.Ordinal) ? $"[{h}]:{port}" : $"{h}:{port}";
        return new RegistryEndpoint(text, h, port, null);
    }

    /// <summary>Parses an endpoint.</summary>
    /// <exception cref="ArgumentException">The text is not an endpoint; the message says why.</exception>
    public static RegistryEndpoint Parse(string? text)
    {
        if (TryParse(text, out var endpoint, out var error))
        {
            return endpoint!;
        }

        throw new ArgumentException(error, nameof(text));
    }

    /// <summary>Parses an endpoint; on failure <paramref name="error"/> says why in one sentence.</summary>
    public static bool TryParse(string? text, out RegistryEndpoint? endpoint, out string? error)
    {
        endpoint = null;
        var original = (text ?? string.Empty).Trim();
        error = ParseCore(original, out var host, out var port, out var scheme);
        if (error is not null)
        {
            error = $"'{Redact(text)}' is not a registry endpoint: {error}";
            return false;
        }

        endpoint = new RegistryEndpoint(original, host!, port, scheme);
        return true;
    }

    /// <summary>The text with any user information (<c>user:password@</c>) replaced by <c>***@</c>, so errors never echo a password.</summary>
    public static string Redact(string? text)
    {
        var s = text ?? string.Empty;
        var at = s.LastIndexOf('@');
        if (at < 0)
        {
            return s;
        }

        var sep = s.IndexOf("://", StringComparison.Ordinal);
        var start = sep >= 0 && sep < at ? sep + 3 : 0;
        return string.Concat(s.AsSpan(0, start), "***", s.AsSpan(at));
    }

    private static string? ParseCore(string s, out string? host, out int port, out RegistryScheme? scheme)
    {
        host = null;
        port = DefaultPort;
        scheme = null;
        if (s.Length == 0)
        {
            return "it is empty.";
        }

        // User information first, before any part of the text is quoted back: a password may hold a '/', '?' or ' '
        // that a later check would otherwise echo in its message.
        if (s.Contains('@', StringComparison.Ordinal))
        {
            return "user information is not allowed in the endpoint; use -Credential.";
        }

        var rest = s;
        var sep = s.IndexOf("://", StringComparison.Ordinal);
        if (sep >= 0)
        {
            var name = s[..sep];
            if (name.Equals("http", StringComparison.OrdinalIgnoreCase))
            {
                scheme = RegistryScheme.Http;
            }
            else if (name.Equals("https", StringComparison.OrdinalIgnoreCase))
            {
                scheme = RegistryScheme.Https;
            }
            else
            {
                return $"the scheme '{name}' is not http or https.";
            }

            rest = s[(sep + 3)..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                var path = rest[slash..];
                if (path is not "/" and not "/v2" and not "/v2/")
                {
                    return $"the path '{path}' is not allowed; give only the scheme, host and port.";
                }

                rest = rest[..slash];
            }
        }

        if (rest.IndexOfAny([' ', '\t', '/', '\\', '?', '#']) >= 0)
        {
            return "it contains a space, a slash, '?' or '#'.";
        }

        string hostPart;
        string? portPart = null;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return "the '[' of an IPv6 address has no ']'.";
            }

            hostPart = rest[1..close];
            var after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    return $"'{after}' after the IPv6 address is not ':port'.";
                }

                portPart = after[1..];
            }

            if (!IPAddress.TryParse(hostPart, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return $"'{hostPart}' in brackets is not an IPv6 address.";
            }
        }
        else
        {
            var colons = rest.Count(c => c == ':');
            if (colons > 1)
            {
                if (IPAddress.TryParse(rest, out var bare) && bare.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    // "::1:5000" is a valid address, but so is "::1" followed by the port 5000: refuse to guess.
                    var last = rest.LastIndexOf(':');
                    var head = rest[..last];
                    var tail = rest[(last + 1)..];
                    if (tail.Length > 0 && tail.All(char.IsAsciiDigit) &&
                        IPAddress.TryParse(head, out var shorter) && shorter.AddressFamily == AddressFamily.InterNetworkV6)
                    {
                        return $"'{rest}' could be the address {rest} or [{head}]:{tail}; write the IPv6 address in brackets: [addr] or [addr]:port.";
                    }

                    hostPart = rest;
                }
                else
                {
                    return "an IPv6 address with a port must be written in brackets: [addr]:port.";
                }
            }
            else if (colons == 1)
            {
                var colon = rest.IndexOf(':', StringComparison.Ordinal);
                hostPart = rest[..colon];
                portPart = rest[(colon + 1)..];
            }
            else
            {
                hostPart = rest;
            }
        }

        var hostError = CheckHost(hostPart);
        if (hostError is not null)
        {
            return hostError;
        }

        if (portPart is not null)
        {
            if (portPart.Length == 0)
            {
                return "the port after ':' is empty.";
            }

            if (!portPart.All(char.IsAsciiDigit) || portPart.Length > 5 ||
                !int.TryParse(portPart, NumberStyles.None, CultureInfo.InvariantCulture, out port))
            {
                return $"the port '{portPart}' is not a number from 1 to 65535.";
            }

            var portError = CheckPort(port);
            if (portError is not null)
            {
                return portError;
            }
        }

        host = hostPart;
        return null;
    }

    private static string? CheckHost(string host)
    {
        if (host.Length == 0)
        {
            return "the host is empty.";
        }

        if (IPAddress.TryParse(host, out _) && (host.Contains(':', StringComparison.Ordinal) || host.Count(c => c == '.') == 3))
        {
            return null;
        }

        if (host.Length > MaxHostLength)
        {
            return $"the host is {host.Length} characters long; a DNS name has at most {MaxHostLength}.";
        }

        if (host.Split('.').Any(label => label.Length > 63))
        {
            return "a label of the host name is longer than 63 characters.";
        }

        if (host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            return $"'{host}' is not a valid IPv4 address.";
        }

        return Uri.CheckHostName(host) == UriHostNameType.Dns
            ? null
            : $"'{host}' is not a host name or an IP address.";
    }

    private static string? CheckPort(int port) =>
        port is >= 1 and <= 65535 ? null : $"the port {port} is not from 1 to 65535.";
}
