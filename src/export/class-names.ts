// The class names an exported model's metadata lists, from the run's dataset name (without
// loading the data): digits, Fashion-MNIST's and CIFAR-10's names, Aesop's 30 symbols as
// characters (the space as ' '); class indices for anything else.
import { CIFAR10_CLASS_NAMES, FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES } from '../data/class-name-lists.js';
import { TEXT_SYMBOLS } from '../data/text-alphabet.js';

const KNOWN: Record<string, readonly string[]> = {
  mnist: MNIST_CLASS_NAMES,
  'fashion-mnist': FASHION_MNIST_CLASS_NAMES,
  'cifar-10': CIFAR10_CLASS_NAMES,
  aesop: [...TEXT_SYMBOLS],
};

export function classNamesOf(dataset: string, numClasses: number): string[] {
  const known = Object.hasOwn(KNOWN, dataset) ? KNOWN[dataset] : undefined;
  return known && known.length === numClasses ? [...known] : Array.from({ length: numClasses }, (_, i) => String(i));
}
