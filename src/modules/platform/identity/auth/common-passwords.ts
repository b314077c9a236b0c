/**
 * Passwords that pass the length and character-class rules yet top every leaked-password list
 * (SecLists top-10k, the CSDN and 12306 leaks). Deliberately small: it stops the obvious guesses an
 * online attacker tries first; the lockout handles the rest. Compared in lower case.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  'password1', 'password12', 'password123', 'password1234', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'pa$$w0rd', 'password!',
  'qwerty123', 'qwerty1234', 'qwer1234', '1234qwer', 'qwertyui1', 'qwe123456', 'qweasd123', 'qweasdzxc1',
  '1qaz2wsx', '1qaz@wsx', '1q2w3e4r', '1q2w3e4r5t', 'q1w2e3r4', 'zaq12wsx', '!qaz2wsx', 'zxcvbnm1', 'zxcvbnm123',
  'abc12345', 'abc123456', 'abcd1234', 'abcd12345', 'a1234567', 'a12345678', 'a123456789', 'aa123456', 'aa12345678',
  'asd12345', 'asd123456', 'asdf1234', 'zxc12345', 'zxc123456', 'qq123456', 'qq1234567', 'wang1234', 'li123456',
  '123456abc', '123456aa', '12345abc', '1234abcd', '123qwe123', '123abc456', '12345qwert', '123456qwe', '123456asd',
  'woaini1314', 'woaini520', 'woaini123', '5201314a', 'a5201314', 'iloveyou1', 'iloveyou!', 'admin123', 'admin1234',
  'administrator1', 'root1234', 'test1234', 'welcome1', 'welcome123', 'letmein1', 'sunshine1', 'princess1',
  'football1', 'baseball1', 'monkey123', 'dragon123', 'master123', 'shadow123', 'superman1', 'trustno1!',
  'changeme1', 'default1', 'secret123', 'hello123', 'hello1234', 'china123', 'beijing123', 'shanghai123',
  'onewindow1', 'onewindow123', 'password@1', 'password#1', 'p@ssw0rd1', 'p@ssw0rd123', 'passw0rd1',
]);
