@{
    Synopsis     = 'Lists every published port from the Docker Engine API, cross-checked with its DNAT and ACCEPT rules and with docker-proxy''s listening socket.'
    Description  = @'
Reads the containers from the Docker Engine API on the unix socket (the API version is negotiated from /version, so
old engines such as Docker 20.10 with API 1.41 work), every iptables variant with one save each, and the listening
sockets from /proc/net/tcp, tcp6, udp and udp6. For each published port it reports ContainerId, ContainerName,
Image, ContainerState, HostIp, Port (the host port), Protocol, ContainerIp and ContainerPort, and:

(Where the engine's /info says its firewall backend is nftables (Docker 29+), DnatRulePresent and ForwardAccepted are
read from nft -j list table ip docker-bridges instead, RuleSource says so. Where swarm is active, each swarm service's
ingress port is listed too, with ServiceName set, its rules read from nat and filter DOCKER-INGRESS; -Name matches
service names as well.)

DnatRulePresent  nat DOCKER holds the DNAT rule that sends the host port to the container (RuleVariant says in
                 which iptables variant).
ForwardAccepted  filter DOCKER accepts forwarded traffic to the container port, and FORWARD reaches filter DOCKER.
ProxyListening   docker-proxy holds the host port. With docker-proxy running, a missing DNAT rule can look healthy
                 from outside: the proxy answers, and the container sees the bridge address instead of the client.

Docker publishes one binding for 0.0.0.0 and one for :: ; they are shown once (IPv4).
When Docker is not installed, not running or its socket is not accessible, the command writes an error with a
constant id (DockerSocketNotFound, DockerNotRunning, DockerSocketAccessDenied, DockerEngineTimeout) and no output.
'@
    Parameters   = @{
        Name   = 'Only containers whose name matches one of these (wildcards allowed). From the pipeline by value or by property name (Name or ContainerName).'
        Port   = 'Only these host ports (1-65535).'
        Socket = 'The Docker socket (default /run/docker.sock).'
    }
    Outputs      = @{ DockerPublishedPort = 'One per published port: ContainerId, ContainerName, Image, ContainerState, HostIp, Port, Protocol, ContainerIp, ContainerPort, DnatRulePresent, RuleVariant, ForwardAccepted, ProxyListening, Listener, PathIntact.' }
    Examples     = @(
        @{ Code = 'Get-DockerPublishedPort'; Remarks = 'Every published port and whether the path Docker built for it is intact.' }
        @{ Code = 'Get-DockerPublishedPort -Port 5000 | Where-Object { -not $_.DnatRulePresent }'; Remarks = 'Shows port 5000 when its DNAT rule is gone (after a firewalld reload, typically).' }
        @{ Code = 'Get-DockerPublishedPort -Socket /tmp/other/docker.sock -Name reg*'; Remarks = 'Asks another engine, only containers whose name starts with reg.' }
        @{ Code = 'try { Get-DockerPublishedPort -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }'; Remarks = 'In a runbook: DockerNotRunning,DockerHostTools.Commands.GetDockerPublishedPortCommand when dockerd is stopped.' }
    )
    Notes        = 'Needs root for the iptables rules and to see docker-proxy''s sockets; the socket needs root or the docker group. A piped object with none of the property names this command binds is an InputObjectNotRecognized error (InvalidArgument, the object as its target) naming the properties it takes. -Verbose lists what was read and how long each read took.'
    RelatedLinks = @('Get-DockerChain', 'Repair-DockerChain', 'about_DockerHostTools')
}
