@{
    Synopsis     = 'Tests whether Docker registries answer from here, and how each one fails: timeout, refused, ICMP reject, not a registry, TLS, authentication.'
    Description  = @'
"Pull times out from other hosts" has different causes, and each one looks different from the client: packets dropped
by a DROP rule or with IP forwarding off give a connect timeout; a firewalld reject gives an immediate "no route to
host" (ICMP admin-prohibited); nothing listening gives a refusal; another service on the port answers, but not as a
registry. Test-Connection -TcpPort answers only true or false, one endpoint after another.

Test-RegistryReachable resolves each endpoint, opens a TCP connection and asks GET /v2/. A registry is up when it
answers 200 or 401 with the Docker-Distribution-API-Version header. Each endpoint gives one RegistryProbeResult whose
Outcome is one of Reachable, AuthRequired, NotARegistry, Timeout, Refused, Unreachable (no route, ICMP reject),
DnsFailure, TlsFailure or HttpError, with a Message that says what it points at.

All endpoints are probed at once, up to -ThrottleLimit, and the results come out in the order the endpoints came in.
Each network step (name lookup, TCP connect, each HTTP attempt) has -TimeoutSec. With -Scheme Auto (the default) HTTPS
is tried first and plain HTTP only when the server does not speak TLS, as docker pull does for an insecure registry;
an untrusted certificate is a TlsFailure, not a reason to fall back. Credentials are never sent on that fallback
unless asked for (-Scheme Http, an http:// endpoint or -AllowInsecureCredential): docker itself sends them in plain
text only to a registry configured as insecure. A malformed endpoint is an error for that item
only (error id InvalidEndpoint); the others still run. Ctrl+C stops every probe at once.
'@
    Parameters   = @{
        Endpoint             = 'The endpoints: host, host:port, [IPv6-address]:port, a bare IPv6 address, http://host:port or https://host:port. The port is 5000 when none is given, in every form. A scheme in the endpoint wins over -Scheme. Accepts pipeline input, and the Endpoint property of piped objects.'
        ComputerName         = 'The host to probe, for piped objects that have a ComputerName or HostName property (with Port), such as published-port listings. Alias: HostName.'
        Port                 = 'The TCP port for -ComputerName; 5000 when absent. Binds the Port property of piped objects.'
        TimeoutSec           = 'Seconds each network step may take: the name lookup, the TCP connect, and each HTTP attempt. Default 5, range 1-300.'
        ThrottleLimit        = 'How many endpoints are probed at once. Default 64. Each running probe holds at most one socket.'
        Credential           = 'A user name and password for HTTP basic authentication against the registry. The user name is sent as typed (CORP\bob, ci@gitlab). The password goes only into the request''s Authorization header, and only over TLS (verified, or with -SkipCertificateCheck) or over plain HTTP that was asked for (-Scheme Http, an http:// endpoint, or -AllowInsecureCredential); when -Scheme Auto falls back to HTTP it is held back and the result''s CredentialsWithheld is true. It never appears in any output, verbose or error text.'
        AllowInsecureCredential = 'Send -Credential in plain text over HTTP even when -Scheme Auto fell back to HTTP. Without it, Auto''s fallback asks without credentials (CredentialsWithheld). Anyone on the path can read a password sent this way.'
        SkipCertificateCheck = 'Accept any TLS certificate (self-signed, expired, wrong name). Without it, certificates are verified against the system trust store.'
        Scheme               = 'How to speak to endpoints that name no scheme: Auto (HTTPS first, then HTTP when the server does not speak TLS), Https or Http.'
        Quiet                = 'Return one bool per endpoint, in input order: $true when the registry is Reachable or AuthRequired (with -TcpOnly: when the TCP connection opened). A malformed endpoint gives $false as well as its error.'
        TcpOnly              = 'Only open the TCP connection; do not ask the registry API. Outcome is then Reachable, Timeout, Refused, Unreachable or DnsFailure.'
    }
    Outputs      = @{
        RegistryProbeResult = 'One per endpoint, in input order: Endpoint, Host, Address (what the name resolved to), Port, Scheme, Outcome, Success, TcpConnected, ConnectTime, ConnectTimeMs, HttpStatus, ApiVersion (the Docker-Distribution-API-Version header), CredentialsWithheld, Message.'
        'System.Boolean'    = 'With -Quiet: one per endpoint.'
    }
    Examples     = @(
        @{ Code = 'Test-RegistryReachable registry.example:5000'; Remarks = 'Probes one registry: HTTPS first, then HTTP, and says how it answered or how it failed.' }
        @{ Code = 'Test-RegistryReachable 192.0.2.10, 192.0.2.11:5001, https://[2001:db8::1]:443 -TimeoutSec 2'; Remarks = 'Probes three endpoints at once; results come back in this order.' }
        @{ Code = 'Get-Content hosts.txt | Test-RegistryReachable -TcpOnly -ThrottleLimit 256 | Group-Object Outcome'; Remarks = 'Checks only TCP reachability of many endpoints, 256 at a time, and counts them by how they fail.' }
        @{ Code = 'Test-RegistryReachable registry.example:5000 -Credential (Get-Credential)'; Remarks = 'Logs in with basic authentication: Reachable means the credentials were accepted, AuthRequired that they were not.' }
        @{ Code = 'Test-RegistryReachable https://192.0.2.10:5443 -SkipCertificateCheck'; Remarks = 'Probes a registry with a self-signed certificate; without the switch the Outcome is TlsFailure.' }
        @{ Code = '[pscustomobject]@{ ComputerName = ''192.0.2.10''; Port = 5000 } | Test-RegistryReachable'; Remarks = 'Objects with ComputerName (or HostName) and Port bind by property name.' }
        @{ Code = 'if (-not (Test-RegistryReachable registry.example -Quiet)) { throw ''registry down'' }'; Remarks = 'Uses the bool form in a script.' }
    )
    Notes        = 'Needs no root. Probe from the place whose view matters: another host, or a network namespace. A Reachable result proves the path works now; it does not prove that Docker''s iptables rules are intact (docker-proxy can answer while DNAT rules are missing). A piped object with none of the property names this command binds is an InputObjectNotRecognized error (InvalidArgument, the object as its target) naming the properties it takes.'
    RelatedLinks = @('Test-Connection', 'about_DockerHostTools')
}
