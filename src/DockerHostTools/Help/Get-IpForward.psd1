@{
    Synopsis     = 'Shows whether IP forwarding is on now, whether it stays on after the next boot, and which file decides it.'
    Description  = @'
Docker's published ports reach containers only while the host forwards IP packets. dockerd switches
net.ipv4.ip_forward on when it starts, at runtime only; a network restart, a hardening file or systemd-networkd
can switch it off again, and then other hosts time out while the host itself still reaches the container.

Get-IpForward reads the runtime value from /proc/sys (no process is started) and every assignment of the key in
/etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d, /lib/sysctl.d and /etc/sysctl.conf. It
merges and orders them exactly as systemd-sysctl and sysctl --system do: for one file name /etc hides /run hides
/usr/local/lib hides /usr/lib; a link to /dev/null masks a file; the chosen files are applied in lexical order of
their names and /etc/sysctl.conf last, so the last assignment wins. For IPv4, net.ipv4.conf.all.forwarding sets the
same switch and is counted too.

Status says what is wrong, worst first: RuntimeDisabled (off now), Overridden (a file sets 1 but a later one sets 0),
PersistedDisabled (the file in force sets 0), NotPersisted (on only because dockerd switched it on), Ok.
'@
    Parameters   = @{
        Family = 'The family to read: IPv4 (net.ipv4.ip_forward, the default), IPv6 (net.ipv6.conf.all.forwarding and net.ipv6.conf.default.forwarding, one object each) or All.'
        Root   = 'A folder holding a saved copy of a host''s files (etc/, usr/, run/, proc/sys/): the state is read from there instead of the live host. Without proc/sys the runtime value is unknown.'
    }
    Outputs      = @{ IpForwardState = 'One per switch (IPv4: one; IPv6: all and default): Family, Key, RuntimeEnabled, PersistedEnabled, PersistedSource, Assignments (in the order applied, the one in force marked), MaskedFiles, Status, Message.' }
    Examples     = @(
        @{ Code = 'Get-IpForward'; Remarks = 'Shows the IPv4 switch: on or off now, on or off after the next boot, and the file and line that decide it.' }
        @{ Code = 'Get-IpForward -Family All | Where-Object Status -ne Ok | Select-Object Key, Status, Message'; Remarks = 'Lists only the families that need attention, with the sentence that says what to do.' }
        @{ Code = '(Get-IpForward).Assignments | Format-Table'; Remarks = 'Every assignment of net.ipv4.ip_forward in the order sysctl applies them; InForce marks the one that wins.' }
        @{ Code = 'Get-IpForward -Root ./saved-host | ConvertTo-Json -Depth 4 -EnumsAsStrings'; Remarks = 'Judges a saved copy of another host''s /etc and prints the result as JSON for a runbook.' }
    )
    Notes        = 'Reading needs no root. The runtime value is per network namespace: run it in the namespace of the host whose ports you publish. -Verbose lists every program, D-Bus call, Engine API request and file read, with how long it took.'
    RelatedLinks = @('Repair-IpForward', 'about_DockerHostTools')
}
