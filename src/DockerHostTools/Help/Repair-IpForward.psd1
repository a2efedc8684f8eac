@{
    Synopsis     = 'Turns IP forwarding on now and keeps it on: writes a sysctl.d drop-in atomically, applies it, and reports what still overrides it.'
    Description  = @'
Repair-IpForward makes both the runtime and the persisted value 1. It writes its own drop-in,
/etc/sysctl.d/99-zz-dockerhosttools-ipforward.conf by default (named to sort after 99-*.conf hardening files), through a
temporary file and a rename, and only when its text would change; then it sets the runtime value with sysctl -w when
it is not already 1. A second run changes nothing and does not touch the file.

Lines applied after the drop-in that still set the key to 0 (a later file, or /etc/sysctl.conf, which sysctl --system
applies last) are reported as warnings and in RemainingOverrides. With -Force they are neutralised: a line in /etc is
commented out with a marker after a backup (FILE.dht-backup-TIMESTAMP) is written; a line in a vendor file under
/usr/lib or /run is hidden by a same-name copy in /etc/sysctl.d with the line commented out, so the package's own file
is left alone.

-Family picks the switches: IPv4 (the default, as before) sets and persists net.ipv4.ip_forward; IPv6 sets and
persists both net.ipv6.conf.all.forwarding and net.ipv6.conf.default.forwarding (dockerd sets both when it starts with
an IPv6 network, and its nftables backend refuses to start unless both are 1); All does both families. Test-DockerHost
findings about IPv6 forwarding (targets net.ipv6.conf.all.forwarding, net.ipv6.conf.default.forwarding) are repaired
the same way by Repair-DockerHost. An unknown -Family (bogus) is refused by PowerShell before anything is read.

Every change goes through ShouldProcess: -WhatIf lists the plan and changes nothing. It needs root; a missing right, a
read-only /etc or a failing sysctl stop it with an error, and the result's Steps say exactly what was and was not done.
'@
    Parameters   = @{
        Family = 'The family to repair: IPv4 (net.ipv4.ip_forward, the default), IPv6 (net.ipv6.conf.all.forwarding and net.ipv6.conf.default.forwarding) or All.'
        Path   = 'The drop-in to write: a .conf file directly in one of the sysctl.d folders. An existing file keeps its other lines; only the forwarding keys are set to 1 or added.'
        Force  = 'Also neutralise the lines applied after the drop-in that set forwarding to 0 (a backup is kept).'
    }
    Outputs      = @{ IpForwardRepairResult = 'Changed, Ok, DropInPath, Steps (each planned change with its Outcome: Done, Skipped, Failed, NotAttempted), RemainingOverrides and After (the state of each switch afterwards: one for IPv4, two for IPv6, all and default).' }
    Examples     = @(
        @{ Code = 'Repair-IpForward -WhatIf'; Remarks = 'Shows what would be written and applied; changes nothing.' }
        @{ Code = 'Repair-IpForward -Confirm:$false'; Remarks = 'Repairs IPv4 forwarding without asking, as a runbook would.' }
        @{ Code = 'Repair-IpForward -Family IPv6 -Confirm:$false'; Remarks = 'On a host whose containers publish over IPv6 ([::]:5000): switches net.ipv6.conf.all.forwarding and net.ipv6.conf.default.forwarding on and persists both in the drop-in.' }
        @{ Code = 'Get-IpForward | Where-Object Status -eq Overridden | ForEach-Object { Repair-IpForward -Force }'; Remarks = 'When a later file (a 99-cis.conf, say) switches forwarding off again, comments out its line (a backup is kept) so the drop-in wins.' }
        @{ Code = 'try { Repair-IpForward -Family All -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }'; Remarks = 'A runbook catches the failure by its constant id, for example NotRoot or ReadOnlyFileSystem.' }
    )
    Notes        = 'Error ids: NotRoot (PermissionDenied), InvalidDropInPath (InvalidArgument), ReadOnlyFileSystem (WriteError), NoSpaceLeft (WriteError: the file system of the drop-in is full; the runtime value is still set), NativeProgramNotFound (sysctl missing), NativeCallTimedOut, RepairStepFailed. A -Family that is not IPv4, IPv6 or All: CannotConvertArgumentNoMessage (InvalidArgument, from PowerShell''s parameter binding).'
    RelatedLinks = @('Get-IpForward', 'about_DockerHostTools')
}
