// For tests that set an environment variable the code reads on every call (FF_KERNEL_THREADS,
// FF_LC_ISA, FF_CIFAR_DIR): run the body, then put the variable back as it was, pass or fail.
export async function restoringEnv<T>(name: string, body: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}
