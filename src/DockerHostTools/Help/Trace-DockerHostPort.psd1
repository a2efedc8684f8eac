@{
    Synopsis     = 'Follows real clients'' packets to a published port through the host with the kernel''s nftables trace and names the rule or switch that stops them.'
    Description  = @'
Every other command of the module infers the cause from the host's configuration. Trace-DockerHostPort asks the kernel
what actually happens: it adds a table of its own, inet dht_trace, with one chain in prerouting at priority -350
(before raw at -300, conntrack and Docker's and firewalld's nat prerouting), whose rule sets meta nftrace on the first
packet of each new connection to the port (for tcp a SYN without ACK; for udp the first packet of each flow), only from
-From when given. It then listens to nft -a monitor trace while real clients try the port: TRY THE PORT FROM ANOTHER
HOST WHILE THE COMMAND WAITS (a client on the host itself does not pass prerouting from outside). The trace covers
iptables-nft rules (they are nftables rules), firewalld's nftables table and Docker's nftables backend alike.

It returns one object per traced packet: Source, SourcePort, Destination, TranslatedTo (where a DNAT rule sent it),
the Path (every rule and policy passed: Hook, Family, Table, Chain, Rule, Handle, Verdict) and the Outcome, decided in
this order: DroppedByRule or Rejected (a rule's or a policy's drop; the rule named), NotForwarded (DNATed, but never
reached FORWARD: forwarding is off), NoDnat (accepted into INPUT without a DNAT: docker-proxy or nothing answers
there), Delivered, Unknown. Owner names who owns the deciding rule's table: Docker, Firewalld, DockerUser (the admin's
DOCKER-USER chain) or Other.

The table is removed when the trace ends (after -Duration or -Count packets), on Ctrl+C and on error; a later run
removes a table left by a killed process (the table's comment names the process that added it). When Docker's rules
are in iptables-legacy (x_tables), the nftables trace cannot see them: every outcome is Unknown and Reason says so.
nft 1.0.6 (Debian 12) and 1.1.3 (Debian 13) print the trace as text only, with or without -j, so the text is parsed.
'@
    Parameters   = @{
        Port     = 'The published port the clients try (1-65535). 0 or 70000 stop the command with InvalidPort before anything is added.'
        Protocol = 'tcp (the default; only SYNs are traced) or udp (only the first packet of each flow).'
        From     = 'Only clients from this IPv4 or IPv6 address or prefix (198.51.100.2, 198.51.100.0/24, 2001:db8::/32). Anything else stops the command with InvalidFrom.'
        Duration = 'How long to wait for clients: a TimeSpan or a number of seconds (30 by default, at most a day).'
        Count    = 'Stop after this many traced packets (5 by default, 1-1000); the kernel itself traces no more new connections than this. 0 stops the command with InvalidCount.'
    }
    Outputs      = @{ TracedPacket = 'One per traced packet: TraceId, Port, Protocol, Source, SourcePort, Destination, TranslatedTo, InInterface, OutInterface, Path (TraceStep: Hook, Family, Table, Chain, Rule, Handle, IsPolicy, Verdict, Deciding), Outcome, DecidingStep, Owner, Reason. The view draws the path one line per chain, the deciding step marked with >.' }
    Examples     = @(
        @{ Code = 'Trace-DockerHostPort -Port 5000 -Duration 20'; Remarks = 'Waits 20 s while you run curl http://HOST:5000/ from another machine, then shows each connection''s path and the rule or switch that decided it.' }
        @{ Code = 'Trace-DockerHostPort 5000 -From 198.51.100.2 -Count 1 | Select-Object Outcome, Owner, Reason'; Remarks = 'Traces one connection from one client and prints only the verdict.' }
        @{ Code = '(Trace-DockerHostPort 5000 -Count 1).Path | Format-Table Hook, Table, Chain, Rule, Verdict'; Remarks = 'Every rule and policy the packet passed, in order.' }
        @{ Code = 'Trace-DockerHostPort 5000 -WhatIf'; Remarks = 'Shows the nftables table the trace would add; adds nothing.' }
    )
    Notes        = 'Test-DockerHost -Port 5000 -Trace runs the same trace and confirms or refutes each finding of the port in its Evidence. Needs root (NotRoot otherwise, before anything is added) and nft (NativeProgramNotFound otherwise). Another live trace holding the table stops the command with TraceInProgress. Errors: InvalidPort, InvalidFrom, InvalidCount, InvalidDuration (InvalidArgument), TraceFailed (nft could not add the table). The trace is per network namespace: run it where the published ports live.'
    RelatedLinks = @('Test-DockerHost', 'Get-DockerChain', 'about_DockerHostTools')
}
