// minerscan built-in pack: helpers that hide a miner (LD_PRELOAD process hiders, syscall-hooking
// kernel modules, kernel-thread masquerading).
// Written by the minerscan authors from the public facts cited in each rule's `reference`.

rule Hider_LDPreload_Readdir_Hook
{
    meta:
        description = "ELF shared object that overrides readdir/readdir64, resolves the real ones with dlsym and reads /proc entries: an LD_PRELOAD process hider"
        author = "minerscan"
        class = "hiding"
        score = 70
        reference = "https://github.com/gianlucaborello/libprocesshider"
        mitre = "T1014"
        version = 1
    strings:
        $rd = "readdir\x00" ascii
        $rd64 = "readdir64\x00" ascii
        $dlsym = "dlsym\x00" ascii
        $p1 = "/proc/self/fd/%d" ascii
        $p2 = "/proc/%s/stat" ascii
        $p3 = "%d (%[^)]s" ascii
        $p4 = "/proc/%s/cmdline" ascii
        $p5 = "Error in dlsym" ascii
        $p6 = "process_to_filter" ascii
    condition:
        uint32(0) == 0x464C457F and uint16(0x10) == 3 and filesize < 2MB
        and $rd and $rd64 and $dlsym and 2 of ($p*)
}

rule Hider_LDPreload_Install_Script
{
    meta:
        description = "Script that writes a library into /etc/ld.so.preload together with process-hiding or miner context"
        author = "minerscan"
        class = "hiding"
        score = 65
        reference = "https://attack.mitre.org/techniques/T1574/006/"
        mitre = "T1574.006"
        version = 1
    strings:
        $w1 = /(echo|printf)\s[^\n]{1,120}\.so['"]?\s*>>?\s*\/etc\/ld\.so\.preload/
        $w2 = "| tee -a /etc/ld.so.preload"
        $w3 = "| tee /etc/ld.so.preload"
        $c1 = "processhider" nocase
        $c2 = "chattr +i /etc/ld.so.preload"
        $c3 = "xmrig" nocase
        $c4 = "readdir"
        $c5 = /stratum[12]?\+(tcp|ssl|tls)/
        $c6 = "hide" nocase
        $c7 = "kdevtmpfsi"
        $c8 = "--donate-level"
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 1 of ($w*) and 1 of ($c*)
}

rule Hider_Kernel_Thread_Masquerade
{
    meta:
        description = "Shell that starts a program under a fake kernel-thread name (exec -a \"[kworker/...]\"), a way miners hide in ps"
        author = "minerscan"
        class = "hiding"
        score = 60
        reference = "https://attack.mitre.org/techniques/T1036/004/"
        mitre = "T1036"
        version = 1
    strings:
        $e = /exec\s+-a\s*['"]?\[(kworker|kthreadd|ksoftirqd|kswapd|migration|rcu_sched|rcu_bh|watchdog|kblockd|khugepaged|kauditd|jbd2|scsi_eh)[^\]\n]{0,24}\]/
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and $e
}

rule Hider_LKM_Syscall_Hook
{
    meta:
        description = "Linux kernel module object that hooks getdents/kill through the syscall table (Diamorphine-style rootkit used to hide miners)"
        author = "minerscan"
        class = "hiding"
        score = 80
        reference = "https://github.com/m0nad/Diamorphine"
        mitre = "T1014"
        version = 1
    strings:
        $h1 = "hacked_getdents64" ascii
        $h2 = "hacked_getdents" ascii
        $h3 = "hacked_kill" ascii
        $k1 = "sys_call_table" ascii
        $k2 = "kallsyms_lookup_name" ascii
        $k3 = "module_hide" ascii
        $k4 = "diamorphine" ascii nocase
        $k5 = "PF_INVISIBLE" ascii
    condition:
        uint32(0) == 0x464C457F and uint16(0x10) == 1
        and 2 of ($h*) and 1 of ($k*)
}
